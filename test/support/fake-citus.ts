/**
 * Stand-ins for Citus's create_distributed_table, create_reference_table and undistribute_table on
 * plain PostgreSQL (Citus cannot be installed here): they move no data, but refuse what Citus
 * documents it refuses, and record what was distributed in `fake_citus_tables`. The rules, from
 * the Citus documentation (citusdata/citus_docs, develop/reference_ddl.rst and
 * develop/api_udf.rst):
 *
 * - "Primary keys and uniqueness constraints must include the distribution column. Adding them to
 *   a non-distribution column will generate an error."
 * - "Foreign keys may be created in these situations: between two local (non-distributed) tables,
 *   between two reference tables, between two colocated distributed tables when the key includes
 *   the distribution column, or as a distributed table referencing a reference table."
 * - "Foreign keys from reference tables to distributed tables are not supported."
 * - colocate_with: "include current table in the co-location group of another table. By default
 *   tables are co-located when they are distributed by columns of the same type".
 */
export const FAKE_CITUS_SQL = `
create table fake_citus_tables (relid regclass primary key, kind text not null, dist_column text, colocation oid);

-- Every key of table t that leaves out column col: primary keys, unique constraints and unique indexes.
create function fake_citus_keys_without(t regclass, col text) returns setof text language sql as $f$
  select format('%s: unique key %s does not include the distribution column %s', t, i.indexrelid::regclass, col)
    from pg_index i
   where i.indrelid = t and i.indisunique
     and not exists (select 1 from unnest(i.indkey::int2[]) k join pg_attribute a on a.attrelid = t and a.attnum = k where a.attname = col)
$f$;

create function create_reference_table(t regclass) returns void language plpgsql as $f$
declare bad text;
begin
  select format('%s: foreign key %s references the distributed table %s', t, c.conname, c.confrelid::regclass) into bad
    from pg_constraint c join fake_citus_tables d on d.relid = c.confrelid and d.kind = 'distributed'
   where c.conrelid = t and c.contype = 'f' limit 1;
  if bad is not null then raise exception 'fake citus: %', bad; end if;
  insert into fake_citus_tables values (t, 'reference', null, null);
end $f$;

create function create_distributed_table(t regclass, col text, colocate_with text default 'default') returns void language plpgsql as $f$
declare
  bad text;
  coltype text;
  grp oid;
  other fake_citus_tables;
begin
  select format_type(atttypid, atttypmod) into coltype from pg_attribute where attrelid = t and attname = col and not attisdropped;
  if coltype is null then raise exception 'fake citus: %: no column %', t, col; end if;
  select b into bad from fake_citus_keys_without(t, col) b limit 1;
  if bad is not null then raise exception 'fake citus: %', bad; end if;
  if colocate_with in ('default', 'none') then
    grp := t::oid;
  else
    select * into other from fake_citus_tables where relid = colocate_with::regclass and kind = 'distributed';
    if other is null then raise exception 'fake citus: %: cannot colocate with %, which is not distributed', t, colocate_with; end if;
    if (select format_type(atttypid, atttypmod) from pg_attribute where attrelid = other.relid and attname = other.dist_column) <> coltype then
      raise exception 'fake citus: %: distribution column type differs from %', t, colocate_with;
    end if;
    grp := other.colocation;
  end if;
  -- Foreign keys from t: to a reference table, or to a colocated distributed table through the distribution column.
  select format('%s: foreign key %s to %s', t, c.conname, c.confrelid::regclass)
         || case when r is null then ' (neither distributed nor a reference table)'
                 when r.colocation is distinct from grp then ' (not colocated)'
                 else ' (does not pair the distribution columns)' end into bad
    from pg_constraint c left join fake_citus_tables r on r.relid = c.confrelid
   where c.conrelid = t and c.contype = 'f' and c.confrelid <> t
     and (r is null or (r.kind = 'distributed' and (r.colocation is distinct from grp or not exists (
           select 1 from unnest(c.conkey, c.confkey) as k(mine, theirs)
             join pg_attribute a on a.attrelid = t and a.attnum = k.mine
             join pg_attribute b on b.attrelid = c.confrelid and b.attnum = k.theirs
            where a.attname = col and b.attname = r.dist_column))))
   limit 1;
  if bad is not null then raise exception 'fake citus: %', bad; end if;
  -- Foreign keys into t from reference tables.
  select format('%s: the reference table %s has foreign key %s to it', t, c.conrelid::regclass, c.conname) into bad
    from pg_constraint c join fake_citus_tables r on r.relid = c.conrelid and r.kind = 'reference'
   where c.confrelid = t and c.contype = 'f' limit 1;
  if bad is not null then raise exception 'fake citus: %', bad; end if;
  insert into fake_citus_tables values (t, 'distributed', col, grp);
end $f$;

create function undistribute_table(t regclass) returns void language plpgsql as $f$
begin
  delete from fake_citus_tables where relid = t;
  if not found then raise exception 'fake citus: % is not distributed', t; end if;
end $f$;
`;
