import pytest

from engine.config import ConfigError, load_settings


def test_defaults_and_overrides(tmp_path):
    settings = load_settings({"MEDIATE_SCHEDULER": "off", "MEDIATE_SWEEP_SECONDS": "2.5",
                              "MEDIATE_DATABASE_URL": "postgresql://u@h/db", "MEDIATE_FORMS_DIR": str(tmp_path)})
    assert settings.scheduler is False and settings.sweep_seconds == 2.5
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.forms_dir == tmp_path
    assert load_settings({}).database_url.startswith("sqlite:///")
    assert load_settings({}).max_json_bytes == 1048576
    assert load_settings({"MEDIATE_MAX_JSON_BYTES": "2048"}).max_json_bytes == 2048
    assert load_settings({}).notify_sender == "log"
    assert load_settings({"MEDIATE_NOTIFY_SENDER": " LOG "}).notify_sender == "log"
    assert load_settings({}).weekly_digest == ("mon", 8, 30)
    assert load_settings({"MEDIATE_WEEKLY_DIGEST": "Fri 7:05"}).weekly_digest == ("fri", 7, 5)
    assert load_settings({"MEDIATE_WEEKLY_DIGEST": "off"}).weekly_digest is None


def test_sign_in_limits_and_a_long_key_are_taken():
    key = "k" * 32
    settings = load_settings({"MEDIATE_SECRET_KEY": key, "MEDIATE_LOGIN_LIMIT": "3/minute; 20/hour",
                              "MEDIATE_TRUSTED_PROXIES": "1"})
    assert settings.secret_key == key and settings.login_limit == "3/minute; 20/hour"
    assert settings.trusted_proxies == 1
    assert key not in repr(settings)  # settings may be logged; the key is not


@pytest.mark.parametrize("env,name", [
    ({"MEDIATE_SCHEDULER": "maybe"}, "MEDIATE_SCHEDULER"),
    ({"MEDIATE_SWEEP_SECONDS": "-1"}, "MEDIATE_SWEEP_SECONDS"),
    ({"MEDIATE_PAGE_SIZE": "ten"}, "MEDIATE_PAGE_SIZE"),
    ({"MEDIATE_NOTIFY_SENDER": "carrier-pigeon"}, "MEDIATE_NOTIFY_SENDER"),
    ({"MEDIATE_MAX_JSON_BYTES": "0"}, "MEDIATE_MAX_JSON_BYTES"),
    ({"MEDIATE_DATABASE_URL": "mysql://x"}, "MEDIATE_DATABASE_URL"),
    ({"MEDIATE_FORMS_DIR": "/no/such/dir"}, "MEDIATE_FORMS_DIR"),
    ({"MEDIATE_TYPO": "1"}, "MEDIATE_TYPO"),
    ({"MEDIATE_LOG_LEVEL": "loud"}, "MEDIATE_LOG_LEVEL"),
    ({"MEDIATE_SECRET_KEY": "short"}, "MEDIATE_SECRET_KEY"),
    ({"MEDIATE_SECRET_KEY": "insecure-development-key"}, "MEDIATE_SECRET_KEY"),
    ({"MEDIATE_LOGIN_LIMIT": "lots"}, "MEDIATE_LOGIN_LIMIT"),
    ({"MEDIATE_LOGIN_ADDRESS_LIMIT": "10 per fortnight"}, "MEDIATE_LOGIN_ADDRESS_LIMIT"),
    ({"MEDIATE_TRUSTED_PROXIES": "-1"}, "MEDIATE_TRUSTED_PROXIES"),
    ({"MEDIATE_WEEKLY_DIGEST": "monday 8am"}, "MEDIATE_WEEKLY_DIGEST"),
    ({"MEDIATE_WEEKLY_DIGEST": "mon 24:00"}, "MEDIATE_WEEKLY_DIGEST"),
])
def test_bad_settings_name_the_variable(env, name):
    with pytest.raises(ConfigError, match=name):
        load_settings(env)
