import asyncpg
from sqlalchemy.engine import make_url


async def test_each_database_is_fresh_and_writable(create_database):
    first, second = create_database(), create_database()
    assert first != second
    dsn = make_url(first).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("CREATE TABLE probe (id int)")
        await connection.execute("INSERT INTO probe VALUES (1)")
        assert await connection.fetchval("SELECT count(*) FROM probe") == 1
    finally:
        await connection.close()
