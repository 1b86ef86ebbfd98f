// testcontainers starts its Ryuk reaper container unless told not to, and that image cannot be
// pulled here (no registry). Imported for its side effect before testcontainers is used; the
// harness removes its containers, networks and volumes itself (cleanup(), sweepLeftovers()).
process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
