"""The reviewer triage queue: flagged mistreatment complaints become cases that a
potilasasiavastaava, sosiaaliasiavastaava or unit manager takes, notes and resolves.

Modules: `db` (tables, engine, migrations, settings), `importer` (classified files to
cases), `cases` (visibility, states, priority, due dates, decisions), `auth` (accounts,
argon2 hashes, login throttling), `audit` (the append-only log), `highlight` (flag words
marked in HTML), `annotations` (decisions as corpus rows), `store` (read-only views for
the report), `app` and `routes_*` (the Flask app), `cli` (`palauteluokitin review …`).
"""

# Names the CLI needs before anything heavy is imported.
DB_ENV = "PALAUTELUOKITIN_DB"
DAYS_ENV = "PALAUTELUOKITIN_REVIEW_DAYS"
PASSWORD_ENV = "PALAUTELUOKITIN_PASSWORD"
DEFAULT_DB_FILE = "palauteluokitin-review.sqlite"

from palauteluokitin.extras import require  # noqa: E402

require("review", "flask", "sqlalchemy", "alembic", "argon2", "waitress")
