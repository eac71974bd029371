"""Alembic environment for the review database, run programmatically by
`palauteluokitin.review.db.upgrade` with an open connection (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from palauteluokitin.review.db import VERSION_TABLE, Base, make_engine

config = context.config
connection = config.attributes.get("connection")


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:  # `alembic -x url=...` from a checkout, e.g. to write a new revision
    engine = make_engine(context.get_x_argument(as_dictionary=True)["url"])
    with engine.begin() as fresh:
        run(fresh)
    engine.dispose()
