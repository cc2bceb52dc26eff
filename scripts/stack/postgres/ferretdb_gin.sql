-- GIN companions for FerretDB's indexes (loaded by scripts/stack.sh into database ferretdb;
-- idempotent). See docs/decisions.md, "FerretDB on PostgreSQL".
--
-- FerretDB 1.24 pushes a top-level equality filter down as `_jsonb -> 'f' @> '<value>'`,
-- but builds each MongoDB index as a btree on `(_jsonb -> 'f')`, which cannot answer `@>`:
-- every find, count and update is a sequential scan of the collection's table. A GIN
-- index on the same expressions can. An event trigger gives every btree index FerretDB
-- creates a GIN twin named `<btree name>_gin` (dropped with it), so the app's declared
-- indexes serve its queries. It never makes FerretDB's DDL fail: any error is a warning.
-- fastupdate = off: with the default pending list, reads scan every not-yet-merged entry
-- (a find by _id took 3 ms instead of 0.5 right after 60,000 inserts, until a VACUUM);
-- it costs inserts something (59 to 115 ms per 1,000 reviews in different runs, against
-- 53 to 61 without the twins).

CREATE OR REPLACE FUNCTION public.kayak_ferretdb_gin_for(idx oid) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  i record;
  cols text;
BEGIN
  SELECT c.relname AS name, n.nspname AS nsp, t.relname AS tbl, x.indnatts, am.amname
    INTO i
    FROM pg_index x
    JOIN pg_class c ON c.oid = x.indexrelid
    JOIN pg_am am ON am.oid = c.relam
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE x.indexrelid = idx;
  IF NOT FOUND OR i.amname <> 'btree' OR i.name LIKE '%\_gin' OR i.nsp LIKE 'pg\_%' THEN
    RETURN;
  END IF;
  SELECT string_agg('(' || pg_get_indexdef(idx, k, true) || ')', ', ' ORDER BY k)
    INTO cols FROM generate_series(1, i.indnatts) AS k;
  -- only FerretDB's shape: every key a top-level field of the _jsonb column
  IF cols IS NULL OR cols !~ '^(\(\(?_jsonb -> ''[^'']+''::text\)?\)(, |$))+$' THEN
    RETURN;
  END IF;
  IF to_regclass(format('%I.%I', i.nsp, left(i.name, 59) || '_gin')) IS NOT NULL THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin (%s) WITH (fastupdate = off)',
                 left(i.name, 59) || '_gin', i.nsp, i.tbl, cols);
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'kayak_ferretdb_gin: no GIN index for %: %', idx::regclass, SQLERRM;
END
$fn$;

CREATE OR REPLACE FUNCTION public.kayak_ferretdb_gin_created() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  cmd record;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands()
              WHERE command_tag = 'CREATE INDEX' AND object_type = 'index'
  LOOP
    PERFORM public.kayak_ferretdb_gin_for(cmd.objid);
  END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION public.kayak_ferretdb_gin_dropped() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  o record;
BEGIN
  FOR o IN SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
            WHERE object_type = 'index' AND original AND object_name NOT LIKE '%\_gin'
  LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', o.schema_name, left(o.object_name, 59) || '_gin');
  END LOOP;
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'kayak_ferretdb_gin: %', SQLERRM;
END
$fn$;

DO $do$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'kayak_ferretdb_gin_created') THEN
    CREATE EVENT TRIGGER kayak_ferretdb_gin_created ON ddl_command_end
      WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION public.kayak_ferretdb_gin_created();
  END IF;
  IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'kayak_ferretdb_gin_dropped') THEN
    CREATE EVENT TRIGGER kayak_ferretdb_gin_dropped ON sql_drop
      WHEN TAG IN ('DROP INDEX') EXECUTE FUNCTION public.kayak_ferretdb_gin_dropped();
  END IF;
  -- FerretDB's statements are prepared (pgx) with the field name as a parameter; a generic
  -- plan cannot use an expression index, and one chosen while a table is small would stick.
  EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_custom_plan', current_database());
END
$do$;

-- indexes that existed before this file was loaded (a no-op when each has its twin)
SELECT count(public.kayak_ferretdb_gin_for(x.indexrelid))
  FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema';
