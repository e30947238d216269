//! DuckDB schema of the aggregator database. One row per item per ETL file; every row carries the
//! object key it came from (`file_key`) so a file can be replaced atomically and every figure can
//! name its sources. `ingest_log` holds one row per object read: key, etag, size (bytes),
//! last-modified and ingest time (unix seconds), the sha256 of the bytes read, the bingen versions
//! seen and the window (docs/audit.md).
//!
//! The columns of every table are [`crate::stored`]'s registries; this module generates their DDL
//! and holds the SQL of the encoded label, annotation and service columns (entries
//! `\x1f<key>\x1e<value>` with a trailing `\x1f`; see [`label_value_sql`]).

/// Schema version; bump when the meaning of a column changes with its name and type unchanged.
/// A change of the DDL itself (a stored field or a rollup measure added, removed or reordered)
/// needs no bump: [`version`] fingerprints the DDL, and a database of another version is rebuilt
/// from the bucket. 6: `allocations` columns in the order of
/// [`crate::stored::allocation::TABLE`].
pub const SCHEMA_VERSION: i64 = 6;

/// The schema a database records in `meta` (`<SCHEMA_VERSION>-<16 hex digits of the sha256 of
/// the DDL>`): a database or read copy recording another is not this costscope's.
pub fn version() -> String {
    use sha2::{Digest, Sha256};
    let text = ddl() + &super::rollup::ddl();
    let hex: String = Sha256::digest(text.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{SCHEMA_VERSION}-{hex}")
}

pub use crate::stored::{KV, SEP};

/// DDL of the item tables and `ingest_log` (idempotent), generated from the [`crate::stored`]
/// registries; the rollups' DDL is [`super::rollup::ddl`].
pub fn ddl() -> String {
    use crate::stored::{allocation, asset, cloud_cost, ingest_log};
    let mut out = String::from("CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR);\n");
    out.push_str(&ingest_log::TABLE.ddl());
    out.push_str(&allocation::TABLE.ddl());
    out.push_str(&asset::TABLE.ddl());
    out.push_str(&cloud_cost::TABLE.ddl());
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use duckdb::Connection;

    /// The DDL of schema version 5, before the registries generated it.
    const V5_DDL: &str = r#"
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

    /// `(table, column, type, position)` of every column of a database made by `ddl`.
    fn columns(ddl: &str) -> Vec<(String, String, String, i64)> {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(ddl).unwrap();
        let mut st = c
            .prepare("SELECT table_name, column_name, data_type, ordinal_position FROM information_schema.columns ORDER BY 1, 4")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// The registries give version 5's tables: the same columns and types, in the same order but
    /// for `allocations`, whose columns follow the Parquet order since version 6, plus the savings
    /// inputs of issue 30 (the `rawAllocationOnly` maxima and PV names of allocations; the disk
    /// use, claim and node idle shares of assets), appended at the end.
    #[test]
    fn the_registries_give_the_version_5_tables() {
        let (old, new) = (columns(V5_DDL), columns(&ddl()));
        let added: Vec<(&str, &str, &str)> = vec![
            ("allocations", "cpu_core_usage_max", "DOUBLE"),
            ("allocations", "ram_byte_usage_max", "DOUBLE"),
            ("allocations", "pv_names", "VARCHAR"),
            ("assets", "byte_hours_used", "DOUBLE"),
            ("assets", "byte_usage_max", "DOUBLE"),
            ("assets", "volume_name", "VARCHAR"),
            ("assets", "claim_name", "VARCHAR"),
            ("assets", "claim_namespace", "VARCHAR"),
            ("assets", "cpu_idle", "DOUBLE"),
            ("assets", "ram_idle", "DOUBLE"),
        ];
        let is_added = |c: &(String, String, String, i64)| added.iter().any(|a| (a.0, a.1, a.2) == (&*c.0, &*c.1, &*c.2));
        assert_eq!(new.iter().filter(|c| is_added(c)).count(), added.len());
        let kept = |v: &[(String, String, String, i64)], table: &str| {
            let mut a: Vec<(String, String)> = v
                .iter()
                .filter(|c| c.0 == table && !is_added(c))
                .map(|c| (c.1.clone(), c.2.clone()))
                .collect();
            if table == "allocations" {
                a.sort();
            }
            a
        };
        for table in ["allocations", "assets", "cloud_costs", "ingest_log", "meta"] {
            assert_eq!(kept(&new, table), kept(&old, table), "{table}");
        }
        let tables = |v: &[(String, String, String, i64)]| v.iter().map(|c| c.0.clone()).collect::<std::collections::BTreeSet<_>>();
        assert_eq!(tables(&new), tables(&old));
        assert_eq!(new.iter().filter(|c| c.0 == "allocations").count(), 55);
    }
}
