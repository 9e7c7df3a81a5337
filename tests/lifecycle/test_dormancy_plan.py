"""The dormancy check's selection can walk the index of last activity on either database."""
import sqlalchemy as sa

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.lifecycle import dormancy


def plan_of(query) -> str:
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        # An empty table is read whole whatever its indexes: ask whether the index serves.
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        explain = "EXPLAIN "
    else:
        explain = "EXPLAIN QUERY PLAN "
    rows = db.session.connection().exec_driver_sql(explain + sql).all()
    db.session.rollback()
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


def test_newly_dormant_accounts_are_found_through_the_last_activity_index(app):
    plan = plan_of(dormancy.newly_dormant(utcnow()))
    assert "ix_accounts_last_activity" in plan, plan
