#!/bin/sh
# Run once by the postgres image when its data volume is new (compose.yaml): the service's own login role.
# Its rights are granted by `flask --app iom grant-service-role iom_service` after the migrations.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v password="$IOM_SERVICE_PASSWORD" <<'SQL'
CREATE ROLE iom_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SQL
