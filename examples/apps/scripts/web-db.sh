#!/bin/sh
# web's page /cgi-bin/db: logs in to blog-db by name, with the password Swarm mounted.
# tasks.blog-db is the address of blog-db's task; plain blog-db (its virtual IP) works too on a
# host whose kernel has IPVS.
echo "Content-Type: text/plain"
echo ""
answer=$(printf 'GET /cgi-bin/login?%s HTTP/1.0\r\n\r\n' "$(cat /run/secrets/db-password)" |
  busybox nc -w 5 tasks.blog-db 5432 | tail -n 1)
echo "web $(hostname) -> ${answer:-blog-db unreachable}"
