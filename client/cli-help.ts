// Long help texts of the `mimecast-crawler` commands (client/cli.ts declares the commands).

export const ENVIRONMENT_HELP = `
Environment:
  TEMPORAL_ADDRESS       Temporal frontend (default 127.0.0.1:7233)
  TEMPORAL_NAMESPACE     namespace (default "default")
  TEMPORAL_TASK_QUEUE    task queue of the workers (default "mimecast-crawler")
  TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA   mTLS (file paths or inline PEM);
                         TEMPORAL_TLS_SERVER_NAME overrides the TLS server name
  TEMPORAL_API_KEY       API key (Temporal Cloud)
  TEMPORAL_UI_URL        Web UI base for printed links (default http://127.0.0.1:8233)
  ELASTICSEARCH_URL      Elasticsearch (default http://127.0.0.1:9200), or ELASTICSEARCH_CLOUD_ID;
                         ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD;
                         ELASTICSEARCH_CA_CERT (PEM file) or ELASTICSEARCH_CA_FINGERPRINT (as the worker)
  MIMECAST_ADDRESS_HASH_KEY   key of privacy.hashAddresses (restart-mailbox of an unregistered mailbox)
  PAYLOAD_CODEC_KEYS     keyId:base64Key[,…] of the payload codec (first encrypts), or PAYLOAD_CODEC_KEY_FILE`;

export const CRAWL_EXIT_HELP = `
Exit status with --wait:
  0  completed (item failures are listed, not fatal)
  2  completed with failed mailboxes (see: status --source ID; restart-mailbox)
  3  deletions withheld (run again with --confirm-deletions after checking them)
  1  failed, cancelled or skipped (another pass of the source was running)`;

export const SCHEDULE_HELP = `
Actions:
  create     create crawl-schedule:<sourceId> (and crawl-schedule:<sourceId>:reconcile with --reconcile-*)
  update     replace the settings from --config, and the times if --every/--cron are given
  describe   show times, policies, recent and next runs
  pause | unpause   both schedules of the source
  trigger    start a pass now (--reconcile: the reconcile schedule)
  delete     delete both schedules (running passes go on)

Scheduled passes run crawlArchive with workflow ids crawl:<sourceId>:scheduled-<time> (overlap
BUFFER_ONE, pause on failure, explicit catch-up window). The settings of --config are stored in the
schedule; they name a credential, never a secret.

Examples:
  mimecast-crawler schedule create --config source.json --every 1h --reconcile-every 7d
  mimecast-crawler schedule update --config source.json --cron "*/30 * * * *"
  mimecast-crawler schedule trigger --source acme`;

export const CODEC_SERVER_HELP = `
Keys come from PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE, as for the worker. CODEC_SERVER_TOKEN,
when set, must be sent as "Authorization: Bearer <token>" (the Web UI's "Pass the user access
token" sends its own login's token instead: put the server behind your proxy then).
Examples:
  mimecast-crawler codec-server --port 8888
  temporal workflow show -w crawl:acme --codec-endpoint http://127.0.0.1:8888`;
