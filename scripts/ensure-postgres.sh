#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at DATABASE_URL's host and port.
# When none does and the URL points at this machine, it installs Debian's
# postgresql (if missing), starts a cluster that trusts local connections on
# that port, and leaves the rest (creating the database) to `hawker db create`.
# PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
set -euo pipefail

url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hawker?sslmode=disable}"
rest="${url#*://}"; rest="${rest#*@}"; hostport="${rest%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"
[ "$port" = "$hostport" ] && port=5432
[ -z "$host" ] && host=127.0.0.1
user="${url#*://}"; user="${user%%@*}"; user="${user%%:*}"
[ "$user" = "${url#*://}" ] && user=postgres

answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

if answers; then
  exit 0
fi
case "$host" in
  127.0.0.1|localhost|::1) ;;
  *) echo "ensure-postgres: nothing answers at $host:$port and it is not this machine; start that server or set DATABASE_URL" >&2; exit 1 ;;
esac

sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "ensure-postgres: need root or sudo to install and start PostgreSQL" >&2; exit 1; }
  sudo="sudo"
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "ensure-postgres: installing Debian's postgresql…"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)

# A cluster already set up on this port: start it.
cluster=$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$port" '$3 == p {print $1" "$2; exit}')
if [ -z "$cluster" ]; then
  echo "ensure-postgres: creating cluster $ver/hawker on port $port (trust for local connections)…"
  $sudo pg_createcluster "$ver" hawker -p "$port" -- --auth-local=trust --auth-host=trust >/dev/null
  cluster="$ver hawker"
fi
set -- $cluster
echo "ensure-postgres: starting cluster $1/$2…"
$sudo pg_ctlcluster --skip-systemctl-redirect "$1" "$2" start || true

as_postgres() { if [ -n "$sudo" ]; then sudo -u postgres "$@"; else runuser -u postgres -- "$@"; fi; }

for _ in $(seq 1 60); do
  if answers; then
    # The role in DATABASE_URL must exist; the cluster's own superuser is postgres.
    if [ "$user" != postgres ]; then
      as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname = '$user'" | grep -q 1 ||
        as_postgres psql -p "$port" -qc "CREATE ROLE \"$user\" LOGIN SUPERUSER"
    fi
    # Debian's own cluster asks for passwords over TCP, and the URL carries
    # none: on this machine's loopback only, trust local connections (for
    # the owner and for hawker_app, the role `hawker serve` works as, which
    # `hawker migrate` creates).
    if ! psql "postgres://$user@$host:$port/postgres?sslmode=disable&connect_timeout=5" -qtAc 'SELECT 1' >/dev/null 2>&1; then
      hba=$(as_postgres psql -p "$port" -qtAc 'SHOW hba_file')
      echo "ensure-postgres: letting local connections to $1/$2 in without a password ($hba)…"
      $sudo sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
      as_postgres psql -p "$port" -qtAc 'SELECT pg_reload_conf()' >/dev/null
    fi
    exit 0
  fi
  sleep 0.5
done
echo "ensure-postgres: PostgreSQL did not start on port $port; see /var/log/postgresql/" >&2
exit 1
