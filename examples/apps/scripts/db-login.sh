#!/bin/sh
# blog-db's stand-in login (a CGI script): the password comes as the query string.
echo "Content-Type: text/plain"
echo ""
if [ "$QUERY_STRING" = "$(cat /run/secrets/db-password)" ]; then
  echo "blog-db: logged in"
else
  echo "blog-db: wrong password"
fi
