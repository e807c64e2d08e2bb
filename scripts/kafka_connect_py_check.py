#!/usr/bin/env python3
"""Drives every operation of the PyPI client `kafka-connect-py` (module `kafka_connect`)
against a running worker, and checks the answers.

Usage: kafka_connect_py_check.py URL INPUT_FILE OUTPUT_FILE TOPIC
  URL          the worker's REST URL, e.g. http://localhost:8083
  INPUT_FILE   a file for a FileStreamSource to read
  OUTPUT_FILE  a file for a FileStreamSink to write
  TOPIC        an existing topic

Install the client with `pip install kafka-connect-py`. Exit status 0 means every operation
worked; connectors it creates are deleted at the end. Run by tests/kafka_connect_py.rs.
"""

import sys
import time

from kafka_connect import KafkaConnect


def wait(what, check, timeout=60):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def main():
    url, input_file, output_file, topic = sys.argv[1:5]
    kc = KafkaConnect(url=url)

    info = kc.get_cluster_info()
    # Apache's three fields, plus the Apache Kafka release implemented (ours).
    assert set(info) == {"version", "commit", "kafka_cluster_id", "apache_kafka_version"}, info

    assert kc.list_connectors() == [], kc.list_connectors()
    plugins = kc.list_connector_plugins()
    classes = [p["class"] for p in plugins]
    assert "org.apache.kafka.connect.file.FileStreamSourceConnector" in classes, classes

    source = {"connector.class": "FileStreamSource", "tasks.max": "1", "file": input_file, "topic": topic}
    validation = kc.validate_connector_config("FileStreamSource", dict(source, name="py-source"))
    assert validation["error_count"] == 0, validation
    invalid = kc.validate_connector_config("FileStreamSource", {"connector.class": "FileStreamSource"})
    assert invalid["error_count"] == 2, invalid

    created = kc.create_connector({"name": "py-source", "config": source})
    assert created["name"] == "py-source" and created["type"] == "source", created
    sink = {"connector.class": "FileStreamSink", "tasks.max": "1", "file": output_file, "topics": topic}
    updated = kc.update_connector("py-sink", sink)
    assert updated["name"] == "py-sink" and updated["type"] == "sink", updated
    updated = kc.update_connector("py-sink", dict(sink, **{"batch.size": "5"}))
    assert updated["config"]["batch.size"] == "5", updated

    assert sorted(kc.list_connectors()) == ["py-sink", "py-source"]
    assert sorted(kc.list_connectors(expand="info")) == ["py-sink", "py-source"]
    assert list(kc.list_connectors(pattern="py-so.*")) == ["py-source"]
    assert kc.get_connector("py-source")["config"]["file"] == input_file
    assert kc.get_connector_config("py-sink")["topics"] == topic

    wait("running connectors", lambda: sorted(kc.list_connectors(state="running")) == ["py-sink", "py-source"])
    status = kc.get_connector_status("py-source")
    assert status["connector"]["state"] == "RUNNING", status
    wait("running task", lambda: kc.get_connector_task_status("py-source", 0)["state"] == "RUNNING")
    tasks = kc.list_connector_tasks("py-source")
    assert tasks[0]["id"] == {"connector": "py-source", "task": 0}, tasks

    wait("lines copied", lambda: open(output_file).read().count("\n") >= 2 if _exists(output_file) else False)
    topics = kc.list_connector_topics("py-sink")
    assert topics == {"py-sink": {"topics": [topic]}}, topics
    kc.reset_connector_topics("py-sink")
    assert kc.list_connector_topics("py-sink") == {"py-sink": {"topics": []}}

    assert kc.restart_connector("py-source") is None
    plan = kc.restart_connector("py-source", include_tasks=True)
    assert plan["connector"]["state"] == "RESTARTING", plan
    kc.restart_all_connectors()
    kc.restart_all_connectors(include_tasks=True, only_failed=True)
    wait("task running again", lambda: kc.get_connector_task_status("py-source", 0)["state"] == "RUNNING")
    kc.restart_connector_task("py-source", 0)

    kc.pause_connector("py-source")
    wait("paused", lambda: kc.get_connector_status("py-source")["connector"]["state"] == "PAUSED")
    kc.resume_connector("py-source")
    wait("resumed", lambda: kc.get_connector_status("py-source")["connector"]["state"] == "RUNNING")
    kc.pause_all_connectors()
    wait("all paused", lambda: sorted(kc.list_connectors(state="paused")) == ["py-sink", "py-source"])
    kc.resume_all_connectors(state="paused")
    wait("all running", lambda: sorted(kc.list_connectors(state="running")) == ["py-sink", "py-source"])
    kc.stop_connector("py-sink")
    wait("stopped", lambda: kc.get_connector_status("py-sink")["connector"]["state"] == "STOPPED")
    kc.stop_all_connectors(pattern="py-.*")
    wait("all stopped", lambda: sorted(kc.list_connectors(state="stopped")) == ["py-sink", "py-source"])
    kc.resume_all_connectors()

    kc.delete_connector("py-sink")
    assert kc.list_connectors() == ["py-source"]
    kc.delete_all_connectors()
    assert kc.list_connectors() == []
    print("kafka-connect-py: every operation succeeded")


def _exists(path):
    try:
        open(path).close()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    main()
