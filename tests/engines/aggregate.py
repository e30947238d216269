"""Read a costscope Parquet export with Apache Spark (pyspark, local mode) and with ClickHouse's
engine (chdb), and run the same aggregations costscope answers:

  allocations: sum(totalcost) by cluster, namespace   (costscope allocation --aggregate cluster,namespace --idle hide)
  assets:      sum(totalcost) by type                 (costscope assets --aggregate type)

over the days [START, END), selected by the hive partition columns cluster/year/month/day that
each engine discovers from the paths. Prints one JSON object:
{"spark": {"allocations": {"<cluster>/<namespace>": usd}, "assets": {"<type>": usd}, "partitions": n},
 "clickhouse": {...}}

usage: aggregate.py DATASET_ROOT START END   (dates as YYYY-MM-DD, END exclusive)
"""
import json
import sys


def spark_answers(root, start, end):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("costscope-export-check")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    days = f"make_date(year, month, day) >= DATE'{start}' AND make_date(year, month, day) < DATE'{end}'"
    spark.read.parquet(f"{root}/allocations").createOrReplaceTempView("alloc")
    spark.read.parquet(f"{root}/assets").createOrReplaceTempView("assets")
    alloc = spark.sql(
        f"SELECT cluster, `properties.namespace` AS ns, SUM(totalcost) AS t FROM alloc WHERE {days} GROUP BY cluster, `properties.namespace`"
    ).collect()
    assets = spark.sql(f"SELECT type, SUM(totalcost) AS t FROM assets WHERE {days} GROUP BY type").collect()
    parts = spark.sql(f"SELECT COUNT(DISTINCT cluster, year, month, day) AS n FROM alloc WHERE {days}").collect()[0]["n"]
    out = {
        "allocations": {f"{r['cluster']}/{r['ns']}": r["t"] for r in alloc},
        "assets": {r["type"]: r["t"] for r in assets},
        "partitions": parts,
    }
    spark.stop()
    return out


def clickhouse_answers(root, start, end):
    import chdb

    days = (
        "makeDate(toUInt16(year), toUInt8(month), toUInt8(day)) >= toDate('{s}') "
        "AND makeDate(toUInt16(year), toUInt8(month), toUInt8(day)) < toDate('{e}')"
    ).format(s=start, e=end)
    settings = "SETTINGS use_hive_partitioning = 1"

    def rows(sql):
        text = chdb.query(sql, "JSONEachRow").bytes().decode()
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    src = lambda kind: f"file('{root}/{kind}/**/*.parquet', Parquet)"
    alloc = rows(
        f"SELECT cluster, `properties.namespace` AS ns, sum(totalcost) AS t FROM {src('allocations')} WHERE {days} GROUP BY cluster, ns {settings}"
    )
    assets = rows(f"SELECT type, sum(totalcost) AS t FROM {src('assets')} WHERE {days} GROUP BY type {settings}")
    parts = rows(f"SELECT count(DISTINCT (cluster, year, month, day)) AS n FROM {src('allocations')} WHERE {days} {settings}")[0]["n"]
    return {
        "allocations": {f"{r['cluster']}/{r['ns']}": float(r["t"]) for r in alloc},
        "assets": {r["type"]: float(r["t"]) for r in assets},
        "partitions": int(parts),
    }


def main():
    root, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
    print(json.dumps({"spark": spark_answers(root, start, end), "clickhouse": clickhouse_answers(root, start, end)}))


if __name__ == "__main__":
    main()
