# Security mode of scripts/elasticsearch.sh (sourced, not run): a node with security on, as a real
# cluster has it. HTTPS with a CA made by the distribution's bin/elasticsearch-certutil, a bootstrap
# password in the keystore, file-realm users (bin/elasticsearch-users) with roles from roles.yml,
# and a trial license (document-level security needs it). The integ-test build cannot create its
# .security index (no analysis-common module), so native users, roles and API keys are unavailable:
# everything here uses files in the node's config folder.
# shellcheck shell=bash

SECURITY_DIR="$DATA/security" # what clients need: ca.crt, admin.env (URL, CA, admin user), bootstrap-password
ADMIN_USER=crawler-admin
ROLES_TEMPLATE="$ROOT/examples/elasticsearch-roles.yml"

# Runs one of the distribution's CLI tools on this node's config folder.
es_tool() {
  local tool="$1"
  shift
  ES_JAVA_HOME="$JAVA_HOME_FOR_ES" ES_PATH_CONF="$NODE_DIR/config" "$ES_HOME/bin/$tool" "$@"
}

random_password() {
  head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20
}

# A node's config files are read by its user; the tools run as the caller.
give_config_to_node() {
  if [[ "$(id -u)" == 0 ]]; then chown -R "$ES_USER:" "$NODE_DIR/config"; fi
}

# Once per data folder: CA and HTTP certificate, keystore with the bootstrap password, the admin
# user (file realm, superuser) and the example roles.
security_provision() {
  local config="$NODE_DIR/config" certs="$NODE_DIR/config/certs"
  [[ -f "$SECURITY_DIR/admin.env" && -f "$certs/node-chain.crt" ]] && return 0
  log "provisioning security: CA, HTTPS certificate, keystore, file-realm admin (first start only)"
  mkdir -p "$SECURITY_DIR" "$certs"
  chmod 700 "$SECURITY_DIR"
  local work
  work="$(mktemp -d)"
  es_tool elasticsearch-certutil ca --silent --pem --days 3650 --out "$work/ca.zip" >/dev/null ||
    die "elasticsearch-certutil ca failed"
  unzip -q -o "$work/ca.zip" -d "$work"
  es_tool elasticsearch-certutil cert --silent --pem --days 3650 --name node \
    --ca-cert "$work/ca/ca.crt" --ca-key "$work/ca/ca.key" --dns localhost --ip 127.0.0.1 \
    --out "$work/node.zip" >/dev/null || die "elasticsearch-certutil cert failed"
  unzip -q -o "$work/node.zip" -d "$work"
  cp "$work/ca/ca.crt" "$work/node/node.key" "$certs/"
  # The chain up to the CA: a client that pins the CA's fingerprint finds it as the root.
  cat "$work/node/node.crt" "$work/ca/ca.crt" >"$certs/node-chain.crt"
  cp "$work/ca/ca.crt" "$SECURITY_DIR/ca.crt"
  rm -rf "$work"

  # The built-in `elastic` superuser's password until someone changes it (the reserved realm).
  local bootstrap_password
  bootstrap_password="$(random_password)"
  printf '%s\n' "$bootstrap_password" | es_tool elasticsearch-keystore add --force --stdin bootstrap.password >/dev/null ||
    die "elasticsearch-keystore add bootstrap.password failed"
  local admin_password
  admin_password="$(random_password)"
  es_tool elasticsearch-users useradd "$ADMIN_USER" -p "$admin_password" -r superuser ||
    die "elasticsearch-users useradd $ADMIN_USER failed"
  [[ -f "$ROLES_TEMPLATE" ]] && cp "$ROLES_TEMPLATE" "$config/roles.yml"
  give_config_to_node
  (
    umask 077
    cat >"$SECURITY_DIR/admin.env" <<EOF
ELASTICSEARCH_URL=https://127.0.0.1:$PORT
ELASTICSEARCH_CA_CERT=$SECURITY_DIR/ca.crt
ELASTICSEARCH_USERNAME=$ADMIN_USER
ELASTICSEARCH_PASSWORD=$admin_password
EOF
    printf '%s\n' "$bootstrap_password" >"$SECURITY_DIR/bootstrap-password"
  )
}

security_settings() {
  settings+=(
    -E xpack.security.enabled=true
    -E xpack.security.http.ssl.enabled=true
    -E xpack.security.http.ssl.certificate=certs/node-chain.crt
    -E xpack.security.http.ssl.key=certs/node.key
    -E xpack.security.http.ssl.certificate_authorities=certs/ca.crt
    -E xpack.security.transport.ssl.enabled=true
    -E xpack.security.transport.ssl.verification_mode=certificate
    -E xpack.security.transport.ssl.certificate=certs/node-chain.crt
    -E xpack.security.transport.ssl.key=certs/node.key
    -E xpack.security.transport.ssl.certificate_authorities=certs/ca.crt
    # Only the file realm (plus the built-in users): the native realm needs the .security index.
    -E xpack.security.authc.realms.file.file1.order=0
    # roles.yml and the users files are re-read within a second of a change.
    -E resource.reload.interval.high=1s
  )
}

# curl options that reach the node as the admin user (empty without security).
security_curl_options() {
  CURL_OPTS=()
  [[ -f "$SECURITY_DIR/admin.env" ]] || return 0
  local user password
  user="$(sed -n 's/^ELASTICSEARCH_USERNAME=//p' "$SECURITY_DIR/admin.env")"
  password="$(sed -n 's/^ELASTICSEARCH_PASSWORD=//p' "$SECURITY_DIR/admin.env")"
  CURL_OPTS=(--cacert "$SECURITY_DIR/ca.crt" -u "$user:$password")
}

# Document-level security is a trial/platinum feature: start the 30-day trial once per cluster.
security_start_trial() {
  local license
  license="$(curl -sS -m 10 "${CURL_OPTS[@]}" "$URL/_license")" || die "cannot read $URL/_license"
  if grep -q '"type" *: *"trial"' <<<"$license"; then return 0; fi
  log "starting the trial license (document-level security)"
  curl -sS -m 20 "${CURL_OPTS[@]}" -X POST "$URL/_license/start_trial?acknowledge=true" |
    grep -q '"trial_was_started" *: *true' || die "POST $URL/_license/start_trial did not start the trial"
}

# useradd --user NAME --password PW --roles R1,R2: a file-realm user (replaced if it exists).
security_useradd() {
  [[ -n "$USER_NAME" && -n "$USER_PASSWORD" && -n "$USER_ROLES" ]] ||
    die "useradd needs --user, --password and --roles"
  [[ -d "$NODE_DIR/config" ]] || die "no node config in $NODE_DIR: start --security first"
  # Already there with that password and those roles: nothing to do (each tool run starts a JVM).
  local who role same=1
  if who="$(curl -fsS -m 10 --cacert "$SECURITY_DIR/ca.crt" -u "$USER_NAME:$USER_PASSWORD" \
    "$URL/_security/_authenticate" 2>/dev/null)"; then
    for role in ${USER_ROLES//,/ }; do grep -q "\"$role\"" <<<"$who" || same=0; done
    ((same)) && return 0
  fi
  if grep -q "^$USER_NAME:" "$NODE_DIR/config/users" 2>/dev/null; then
    es_tool elasticsearch-users userdel "$USER_NAME" >/dev/null
  fi
  es_tool elasticsearch-users useradd "$USER_NAME" -p "$USER_PASSWORD" -r "$USER_ROLES" ||
    die "elasticsearch-users useradd $USER_NAME failed"
  give_config_to_node
}

# roles --file FILE: replaces the node's roles.yml (re-read within a second).
security_roles() {
  [[ -f "$ROLES_FILE" ]] || die "roles needs --file FILE (a roles.yml)"
  [[ -d "$NODE_DIR/config" ]] || die "no node config in $NODE_DIR: start --security first"
  cp "$ROLES_FILE" "$NODE_DIR/config/roles.yml.new"
  mv "$NODE_DIR/config/roles.yml.new" "$NODE_DIR/config/roles.yml"
  give_config_to_node
}
