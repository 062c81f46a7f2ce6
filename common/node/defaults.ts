// Defaults shared by the worker, the CLI, the scripts' test and docker-compose.yml.
export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_TASK_QUEUE = 'mimecast-crawler';
export const DEFAULT_ELASTICSEARCH_URL = 'http://127.0.0.1:9200';
export const DEFAULT_SIMULATOR_PORT = 8089;
export const TEMPORAL_UI_PORT = 8233;
export const DEFAULT_METRICS_PORT = 9464;
