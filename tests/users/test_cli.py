"""`flask users create-admin` and `create-partner`: no default passwords, ever."""

import sqlalchemy as sa


def user_by_email(email):
    from app.extensions import db
    from app.users.models import User

    db.session.rollback()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_create_the_first_super_admin_from_stdin(app, app_ctx):
    from app.auth.passwords import verify_password

    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create-admin", "Ops@Example.com", "--role", "super_admin"],
        input="a strong admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "created super_admin ops@example.com" in result.output
    admin = user_by_email("ops@example.com")
    assert admin.kind == "admin" and admin.admin_role == "super_admin"
    assert verify_password(admin.password_hash, "a strong admin passphrase")


def test_create_admin_refuses_weak_passwords_bad_roles_and_duplicates(app, app_ctx):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "create-admin", "a@example.com"], input="short\n")
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    role = runner.invoke(
        args=["users", "create-admin", "a@example.com", "--role", "root"], input="x" * 12
    )
    assert role.exit_code != 0 and "Invalid value for '--role'" in role.output
    bad_email = runner.invoke(args=["users", "create-admin", "nope"], input="a strong passphrase\n")
    assert bad_email.exit_code != 0 and "@-sign" in bad_email.output
    runner.invoke(args=["users", "create-admin", "a@example.com"], input="a strong passphrase\n")
    again = runner.invoke(
        args=["users", "create-admin", "a@example.com"], input="a strong passphrase\n"
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_partner_needs_a_real_provider(app, make_provider):
    runner = app.test_cli_runner()
    missing = runner.invoke(
        args=["users", "create-partner", "p@example.com", "--provider-id", "9999"],
        input="a strong passphrase\n",
    )
    assert missing.exit_code != 0 and "Choose the provider" in missing.output
    provider = make_provider("Coastline Hotels", "hotel")
    ok = runner.invoke(
        args=["users", "create-partner", "p@example.com", "--provider-id", str(provider.id)],
        input="a strong passphrase\n",
    )
    assert ok.exit_code == 0, ok.output
    assert user_by_email("p@example.com").provider_id == provider.id
