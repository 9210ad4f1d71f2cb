"""The key that signs tokens: never a published one, generated once per instance folder when not set."""

import stat

import pytest

from api import create_app
from engine import keys
from engine.config import ConfigError
from tests.conftest import settings_for


def test_without_a_configured_key_one_is_generated_private_and_kept(tmp_path):
    instance = tmp_path / "instance"
    settings = settings_for(f"sqlite:///{tmp_path / 'k.sqlite'}", secret_key="", instance_dir=instance)
    first = create_app(settings)
    key_file = instance / keys.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    second = create_app(settings)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert second.config["MEDIATE"].secret_key == first.config["SECRET_KEY"]
    assert [p.name for p in instance.iterdir()] == [keys.KEY_FILE]  # no temporary file left behind


def test_two_instance_folders_get_different_keys(tmp_path):
    made = [keys.secret_key(settings_for("sqlite://", secret_key="", instance_dir=tmp_path / name))
            for name in ("a", "b")]
    assert made[0] != made[1]


def test_a_key_file_others_can_read_is_refused(tmp_path):
    settings = settings_for("sqlite://", secret_key="", instance_dir=tmp_path)
    keys.secret_key(settings)
    (tmp_path / keys.KEY_FILE).chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        keys.secret_key(settings)


def test_the_published_key_in_the_key_file_is_refused(tmp_path):
    key_file = tmp_path / keys.KEY_FILE
    key_file.write_text("insecure-development-key\n")
    key_file.chmod(0o600)
    with pytest.raises(ConfigError, match="published development key"):
        keys.secret_key(settings_for("sqlite://", secret_key="", instance_dir=tmp_path))


@pytest.mark.parametrize("key", ["short-key", "insecure-development-key"])
def test_a_weak_configured_key_stops_start_up_naming_the_variable(tmp_path, key):
    with pytest.raises(ConfigError, match="MEDIATE_SECRET_KEY"):
        create_app(settings_for(f"sqlite:///{tmp_path / 'k.sqlite'}", secret_key=key, instance_dir=tmp_path))
    assert not (tmp_path / keys.KEY_FILE).exists()


def test_a_worker_that_loses_the_race_to_write_the_key_uses_the_winner_s(tmp_path):
    key_file = tmp_path / keys.KEY_FILE
    keys._create(key_file)
    winner = key_file.read_text()
    keys._create(key_file)  # what a worker that saw no file a moment before the other wrote it does
    assert key_file.read_text() == winner
    assert [p.name for p in tmp_path.iterdir()] == [keys.KEY_FILE]
