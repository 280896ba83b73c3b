#!/usr/bin/python3
"""kafka-python 2.0.2 with SASL/PLAIN (SaslHandshake v0, then raw tokens).

Usage: kafka_python_sasl_plain.py BOOTSTRAP TOPIC USER PASSWORD
Prints JSON {"ok": true, "values": [...]} when produce and consume work, {"ok": false, "error": "..."} when
the broker refuses the credentials.
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

bootstrap, topic, user, password = sys.argv[1:5]
auth = dict(security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN", sasl_plain_username=user, sasl_plain_password=password)
try:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **auth)
    for i in range(10):
        producer.send(topic, value=b"plain-%d" % i).get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=5000, **auth)
    values = [m.value.decode() for m in consumer]
    consumer.close()
    print(json.dumps({"ok": True, "values": values}))
except KafkaError as e:
    print(json.dumps({"ok": False, "error": repr(e)}))
