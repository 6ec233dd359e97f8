"""PostgreSQL: monitoring_reading becomes a table partitioned by month on ts (nothing on SQLite).

Same columns, primary key (point_id, ts), foreign key to monitoring_point and the ts index as the
model describes, plus monthly partitions `monitoring_reading_yYYYYmMM` for this month and the next
two, and a DEFAULT partition; fillfactor 70 on the tables every batch updates. Existing rows are copied over. maintenance.ensure_partitions() keeps
creating the coming months; maintenance.apply_retention() drops old ones.
"""

from django.db import migrations

HOT_TABLES = ("monitoring_point", "monitoring_device", "monitoring_readingminute", "monitoring_readinghour")
COLUMNS = "point_id bigint NOT NULL, ts timestamptz NOT NULL, value double precision NOT NULL"
FK = (
    "ALTER TABLE monitoring_reading ADD CONSTRAINT monitoring_reading_point_id_fk_partitioned "
    "FOREIGN KEY (point_id) REFERENCES monitoring_point (id) DEFERRABLE INITIALLY DEFERRED"
)


def _rebuild(schema_editor, partitioned: bool) -> None:
    """Build the new table beside the old one, copy the rows, drop the old, take its name."""
    pk = "monitoring_reading_part_pk" if partitioned else "monitoring_reading_pkey"
    statements = [
        f"CREATE TABLE monitoring_reading_new ({COLUMNS}, CONSTRAINT {pk} PRIMARY KEY (point_id, ts))"
        + (" PARTITION BY RANGE (ts)" if partitioned else ""),
    ]
    if partitioned:
        statements.append(
            "CREATE TABLE monitoring_reading_default PARTITION OF monitoring_reading_new DEFAULT"
        )
    statements += [
        "INSERT INTO monitoring_reading_new (point_id, ts, value) SELECT point_id, ts, value FROM monitoring_reading",
        "DROP TABLE monitoring_reading",
        "ALTER TABLE monitoring_reading_new RENAME TO monitoring_reading",
        FK,
    ]
    if not partitioned:
        # Partitioned, retention drops whole months and charts read by (point_id, ts): an index on ts
        # alone would only cost every insert (docs/benchmarks.md). The model's state keeps it.
        statements.append("CREATE INDEX reading_ts_idx ON monitoring_reading (ts)")
    for sql in statements:
        schema_editor.execute(sql)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _rebuild(schema_editor, partitioned=True)
    # Every batch rewrites points' last value and rollup rows; free room in each page lets
    # PostgreSQL update them in place (HOT) instead of touching every index of the table.
    for table in HOT_TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")
    from yingji.monitoring.maintenance import ensure_partitions

    ensure_partitions()


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in HOT_TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")
    _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(partition, unpartition)]
