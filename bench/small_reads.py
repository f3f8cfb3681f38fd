"""Where the time of bench_core.py's small reads goes (not part of the
tests).

Run from the repository root, with the stack started and bench_core.py's
data loaded (same database, ``HELPDESK_BENCH_DATABASE`` included)::

    python bench/small_reads.py

For the dataset counts and the two first pages, as an anonymous visitor
and as a member, it times in turns (medians of bench_core.RUNS) the
action, CKAN's fixed cost of an action call for the same user
(helpdesk_category_list: check_access and its user lookups), the action's
own SQL statements replayed as text on a connection, and the bare SQL;
then PostgreSQL's planning and execution times of the action's statements
(EXPLAIN ANALYZE). What is left, "python", is building and keying the
SQLAlchemy statements, validating and making the dicts.
"""
import pathlib
import re
import statistics
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_core  # noqa: E402  (sets the bench database's environment)
from bench_core import MEMBER, action, median_seconds, sql  # noqa: E402

READS = 3  # the counts, the dataset's and the organization's first page
EXPLAINS = 7


def statements_of(engine, call):
    """The SQL texts the call sends about issues (not the user lookups)."""
    import sqlalchemy as sa
    sent = []

    def capture(_conn, cursor, statement, parameters, _context, _many):
        sent.append(cursor.mogrify(statement, parameters).decode())
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    # As text for exec_driver_sql, whose parameter markers are "%".
    return [text.replace("%", "%%") for text in sent
            if "helpdesk_issue" in text]


def replay(engine, statements):
    def run():
        with engine.connect() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement).fetchall()
    return run


def planning_and_execution(engine, statements):
    """Median milliseconds PostgreSQL plans and executes the statements."""
    planning, execution = [], []
    with engine.connect() as connection:
        for _ in range(EXPLAINS):
            plan = execute = 0.0
            for statement in statements:
                text = "\n".join(row[0] for row in connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, SUMMARY) " + statement))
                plan += float(re.search(r"Planning Time: ([\d.]+)",
                                        text).group(1))
                execute += float(re.search(r"Execution Time: ([\d.]+)",
                                           text).group(1))
            planning.append(plan)
            execution.append(execute)
    return statistics.median(planning), statistics.median(execution)


def main():
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model

    app = make_app(load_config(str(bench_core.ROOT / "test.ini")))
    engine = model.meta.engine
    with app._wsgi_app.test_request_context():
        with engine.connect() as connection:
            dataset_ids = [row[0] for row in sql(
                connection, "SELECT md5('ds' || d)::uuid::text "
                f"FROM generate_series(0, {bench_core.PAGE - 1}) AS d "
                "ORDER BY d")]
        print(f"median of {bench_core.RUNS} runs each, in ms")
        print(f"{'read':30} {'who':9} {'action':>7} = {'fixed':>6} + "
              f"{'SQL':>6} (plan + exec) + {'python':>6} | {'bare':>5} "
              f"{'ratio':>6}")
        for label, name, data_dict, bare in bench_core.scenarios(
                engine, dataset_ids)[:READS]:
            for who, user in (("anonymous", ""), ("member", MEMBER)):
                call = action(name, user, **data_dict)
                own = statements_of(engine, call)
                total, fixed, own_sql, bare_sql = (
                    seconds * 1000 for seconds in median_seconds(
                        call, action("helpdesk_category_list", user),
                        replay(engine, own), bare))
                plan, execute = planning_and_execution(engine, own)
                print(f"{label:30} {who:9} {total:7.2f} = {fixed:6.2f} + "
                      f"{own_sql:6.2f} ({plan:4.2f} + {execute:5.2f}) + "
                      f"{total - fixed - own_sql:6.2f} | {bare_sql:5.2f} "
                      f"{total / bare_sql:5.1f}x")


if __name__ == "__main__":
    main()
