//! DuckDB schema of the aggregator database. One row per item per ETL file; every row carries the
//! object key it came from (`file_key`) so a file can be replaced atomically and every figure can
//! name its sources. `ingest_log` holds one row per object read: key, etag, size (bytes),
//! last-modified and ingest time (unix seconds), the sha256 of the bytes read, the bingen versions
//! seen and the window (docs/audit.md).
//!
//! Labels, annotations and service lists are stored as delimited strings — entries
//! `\x1f<key>\x1e<value>` with a trailing `\x1f` (services: `\x1f<svc>` … `\x1f`) — so the DuckDB
//! appender can write them and lookups are plain string functions (see [`label_value_sql`]).
//! Pod labels come before namespace labels in `labels`, so a lookup finds the pod's value first, as
//! Kubecost does when it falls back to namespace labels; `namespace_labels` holds the namespace's
//! own labels alone (filter field `namespaceLabel[k]`).

/// Schema version; bump when the DDL changes (the database is then rebuilt from the bucket).
pub const SCHEMA_VERSION: i64 = 6;

/// Entry separator of encoded maps and lists.
pub const SEP: char = '\u{1f}';
/// Key/value separator of encoded maps.
pub const KV: char = '\u{1e}';

/// DDL for the item tables (idempotent); the rollups' DDL is [`super::rollup::ddl`].
pub const DDL: &str = r#"
CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR);
CREATE TABLE IF NOT EXISTS ingest_log (
    key VARCHAR PRIMARY KEY, etag VARCHAR, size BIGINT, cluster VARCHAR, pipeline VARCHAR,
    resolution VARCHAR, window_start BIGINT, window_end BIGINT, rows BIGINT, status VARCHAR,
    error VARCHAR, ingested_at BIGINT, last_modified BIGINT, sha256 VARCHAR, versions VARCHAR);
CREATE TABLE IF NOT EXISTS allocations (
    file_key VARCHAR, resolution VARCHAR, window_start BIGINT, window_end BIGINT,
    name VARCHAR, cluster VARCHAR, node VARCHAR, namespace VARCHAR, controller_kind VARCHAR,
    controller VARCHAR, pod VARCHAR, container VARCHAR, provider_id VARCHAR,
    services VARCHAR, labels VARCHAR, annotations VARCHAR, namespace_labels VARCHAR,
    start_ts BIGINT, end_ts BIGINT, minutes DOUBLE,
    cpu_core_hours DOUBLE, cpu_core_request_average DOUBLE, cpu_core_usage_average DOUBLE,
    cpu_cost DOUBLE, cpu_cost_adjustment DOUBLE, gpu_hours DOUBLE, gpu_cost DOUBLE,
    gpu_cost_adjustment DOUBLE, network_transfer_bytes DOUBLE, network_receive_bytes DOUBLE,
    network_cost DOUBLE, network_cross_zone_cost DOUBLE, network_cross_region_cost DOUBLE,
    network_internet_cost DOUBLE, network_cost_adjustment DOUBLE, load_balancer_cost DOUBLE,
    load_balancer_cost_adjustment DOUBLE, pv_cost DOUBLE, pv_byte_hours DOUBLE,
    pv_cost_adjustment DOUBLE, ram_byte_hours DOUBLE, ram_bytes_request_average DOUBLE,
    ram_bytes_usage_average DOUBLE, ram_cost DOUBLE, ram_cost_adjustment DOUBLE,
    shared_cost DOUBLE, external_cost DOUBLE, cpu_core_limit_average DOUBLE,
    ram_bytes_limit_average DOUBLE, gpu_request_average DOUBLE, gpu_usage_average DOUBLE,
    total_cost DOUBLE);
CREATE TABLE IF NOT EXISTS assets (
    file_key VARCHAR, resolution VARCHAR, window_start BIGINT, window_end BIGINT,
    key VARCHAR, type VARCHAR, category VARCHAR, provider VARCHAR, account VARCHAR,
    project VARCHAR, service VARCHAR, cluster VARCHAR, name VARCHAR, provider_id VARCHAR,
    labels VARCHAR, start_ts BIGINT, end_ts BIGINT, adjustment DOUBLE, cost DOUBLE,
    node_type VARCHAR, cpu_core_hours DOUBLE, ram_byte_hours DOUBLE, gpu_hours DOUBLE,
    cpu_cost DOUBLE, gpu_cost DOUBLE, gpu_count DOUBLE, ram_cost DOUBLE, discount DOUBLE,
    preemptible DOUBLE, byte_hours DOUBLE, local DOUBLE, storage_class VARCHAR,
    credit DOUBLE, total_cost DOUBLE);
CREATE TABLE IF NOT EXISTS cloud_costs (
    file_key VARCHAR, resolution VARCHAR, window_start BIGINT, window_end BIGINT,
    key VARCHAR, provider_id VARCHAR, provider VARCHAR, account_id VARCHAR, account_name VARCHAR,
    invoice_entity_id VARCHAR, invoice_entity_name VARCHAR, region_id VARCHAR,
    availability_zone VARCHAR, service VARCHAR, category VARCHAR, labels VARCHAR,
    list_cost DOUBLE, list_cost_k8s_pct DOUBLE, net_cost DOUBLE, net_cost_k8s_pct DOUBLE,
    amortized_net_cost DOUBLE, amortized_net_cost_k8s_pct DOUBLE, invoiced_cost DOUBLE,
    invoiced_cost_k8s_pct DOUBLE, amortized_cost DOUBLE, amortized_cost_k8s_pct DOUBLE);
"#;

/// SQL expression for the value of the map key whose SQL (a bound marker) is `key` in an encoded
/// map column (`''` when absent).
pub fn label_value_sql(col: &str, key: &str) -> String {
    format!("split_part(split_part({col}, chr(31) || {key} || chr(30), 2), chr(31), 1)")
}

/// SQL boolean: the encoded map column has the key whose SQL (a bound marker) is `key`.
pub fn label_has_key_sql(col: &str, key: &str) -> String {
    format!("contains({col}, chr(31) || {key} || chr(30))")
}

/// SQL list of the keys of an encoded map column.
pub fn label_keys_sql(col: &str) -> String {
    format!("list_transform(list_filter(string_split({col}, chr(31)), lambda e: e <> ''), lambda e: split_part(e, chr(30), 1))")
}

/// SQL list expression of an encoded list column.
pub fn list_sql(col: &str) -> String {
    format!("list_filter(string_split({col}, chr(31)), lambda e: e <> '')")
}

/// Append `m`'s entries to an encoded map string.
pub fn push_map<'a>(out: &mut String, entries: impl Iterator<Item = (&'a str, &'a str)>) {
    for (k, v) in entries {
        out.push(SEP);
        out.push_str(k);
        out.push(KV);
        out.push_str(v);
    }
}

/// Close an encoded map or list string (adds the trailing separator when non-empty).
pub fn close(out: &mut String) {
    if !out.is_empty() {
        out.push(SEP);
    }
}
