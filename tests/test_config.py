"""Config, .env.example and docker-compose.yml agree with each other."""

import re

import pytest
import yaml

import config
from tests.conftest import ROOT

APP_SERVICES = ("web", "worker", "relay", "consumer", "activity", "migrate")
SERVER_VARS = {"DATABASE_URL", "MONGO_URL", "REDIS_URL", "KAFKA_BOOTSTRAP"}


def code_reads() -> set[str]:
    """Every env("NAME") call in config.py."""
    source = (ROOT / "config.py").read_text()
    return set(re.findall(r'env(?:_int|_float|_bool)?\("([A-Z_]+)"', source))


def test_every_variable_read_is_documented_in_config():
    assert code_reads() <= set(config.ENV_VARS)


def test_env_example_lists_every_variable():
    text = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", text, flags=re.M))
    assert listed == set(config.ENV_VARS)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_servers_and_app_processes(compose):
    services = compose["services"]
    images = {name: s.get("image", "") for name, s in services.items()}
    assert images["mysql"].startswith("mysql:8.4")
    assert images["mongo"].startswith("mongo:7")
    assert images["redis"].startswith("redis:7")
    assert images["kafka"].startswith("apache/kafka:4")
    assert "broker,controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    for name in APP_SERVICES:
        assert name in services


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_app_services_use_config_variables(compose, service):
    environment = compose["services"][service]["environment"]
    assert set(environment) <= set(config.ENV_VARS), set(environment) - set(config.ENV_VARS)
    assert set(environment) >= SERVER_VARS
    assert environment["APP_ENV"] in config.CONFIGS


def test_compose_urls_point_at_compose_services(compose):
    env = compose["services"]["web"]["environment"]
    hosts = {
        "DATABASE_URL": "@mysql:3306/",
        "MONGO_URL": "//mongo:27017",
        "REDIS_URL": "//redis:6379",
        "KAFKA_BOOTSTRAP": "kafka:9092",
    }
    for var, fragment in hosts.items():
        assert fragment in env[var], var


def test_compose_commands_run_the_real_entry_points(compose):
    commands = {n: " ".join(compose["services"][n]["command"]) for n in APP_SERVICES}
    assert "wsgi:app" in commands["web"]
    assert "workers.worker" in commands["worker"]
    assert "workers.relay" in commands["relay"]
    assert "workers.consumer" in commands["consumer"]
    assert "workers.activity" in commands["activity"]
    assert "db upgrade" in commands["migrate"]


def test_production_refuses_to_start_without_a_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("KAYAK_INSTANCE_PATH", str(tmp_path))
    from app import create_app

    class NoSecret(config.ProductionConfig):
        SECRET_KEY = None

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)
