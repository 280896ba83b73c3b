"""Drives our schema registry and broker with Debian's python3-confluent-kafka (1.7.0).

usage: /usr/bin/python3 python_registry.py <scenario> <registry-url> <bootstrap> <name-prefix>
Prints one JSON object with what the client observed; the xunit test asserts on it.
"""
import json
import sys
import uuid

from confluent_kafka.schema_registry import SchemaRegistryClient, Schema
from confluent_kafka.schema_registry.error import SchemaRegistryError


def client_api(url, prefix):
    sr = SchemaRegistryClient({'url': url})
    subject = prefix + '-value'
    v1 = Schema(json.dumps({"type": "record", "name": "Customer", "namespace": "mesh.customer",
                            "fields": [{"name": "id", "type": "string"}, {"name": "segment", "type": "string"}]}), 'AVRO')
    v2 = Schema(json.dumps({"type": "record", "name": "Customer", "namespace": "mesh.customer",
                            "fields": [{"name": "id", "type": "string"}, {"name": "segment", "type": "string"},
                                       {"name": "region", "type": "string", "default": "EU"}]}), 'AVRO')
    breaking = Schema(json.dumps({"type": "record", "name": "Customer", "namespace": "mesh.customer",
                                  "fields": [{"name": "id", "type": "long"}]}), 'AVRO')
    out = {}
    out['id1'] = sr.register_schema(subject, v1)
    out['id1_again'] = sr.register_schema(subject, v1)
    out['by_id'] = json.loads(sr.get_schema(out['id1']).schema_str)
    out['set_compat'] = sr.set_compatibility(subject, 'BACKWARD')
    out['get_compat'] = sr.get_compatibility(subject)
    out['v2_compatible'] = sr.test_compatibility(subject, v2)
    out['breaking_compatible'] = sr.test_compatibility(subject, breaking)
    out['id2'] = sr.register_schema(subject, v2)
    latest = sr.get_latest_version(subject)
    out['latest'] = {'version': latest.version, 'schema_id': latest.schema_id, 'subject': latest.subject}
    out['versions'] = sr.get_versions(subject)
    out['lookup'] = sr.lookup_schema(subject, v1).version
    try:
        sr.register_schema(subject, breaking)
        out['breaking_register'] = 'accepted'
    except SchemaRegistryError as e:
        out['breaking_register'] = {'http': e.http_status_code, 'code': e.error_code}
    try:
        sr.get_schema(987654)
        out['missing_id'] = 'found'
    except SchemaRegistryError as e:
        out['missing_id'] = {'http': e.http_status_code, 'code': e.error_code}
    out['subjects_contains'] = subject in sr.get_subjects()
    out['deleted_versions'] = sr.delete_subject(subject)
    out['subjects_after_delete'] = subject in sr.get_subjects()
    # The client's permanent delete is a soft delete followed by a hard one.
    other = prefix + '-other-value'
    sr.register_schema(other, v1)
    out['permanently_deleted'] = sr.delete_subject(other, permanent=True)
    try:
        sr.get_versions(other)
        out['versions_after_hard_delete'] = 'found'
    except SchemaRegistryError as e:
        out['versions_after_hard_delete'] = {'http': e.http_status_code, 'code': e.error_code}
    return out


def legacy_avro(url, bootstrap, prefix):
    from confluent_kafka import avro
    from confluent_kafka.avro import AvroProducer, AvroConsumer
    topic = prefix
    value_schema = avro.loads(json.dumps({"type": "record", "name": "Order", "namespace": "mesh.sales",
                                          "fields": [{"name": "orderId", "type": "string"},
                                                     {"name": "amount", "type": "double"},
                                                     {"name": "items", "type": {"type": "array", "items": "string"}}]}))
    key_schema = avro.loads('"string"')
    producer = AvroProducer({'bootstrap.servers': bootstrap, 'schema.registry.url': url},
                            default_key_schema=key_schema, default_value_schema=value_schema)
    sent = [{"orderId": "o-%d" % i, "amount": i * 1.25, "items": ["sku-%d" % j for j in range(i % 4)]} for i in range(50)]
    for value in sent:
        producer.produce(topic=topic, key=value['orderId'], value=value)
    producer.flush(30)
    consumer = AvroConsumer({'bootstrap.servers': bootstrap, 'schema.registry.url': url,
                             'group.id': prefix + '-g', 'auto.offset.reset': 'earliest'})
    consumer.subscribe([topic])
    received = []
    for _ in range(200):
        msg = consumer.poll(1.0)
        if msg is None:
            if len(received) >= len(sent):
                break
            continue
        if msg.error():
            raise RuntimeError(str(msg.error()))
        received.append({'key': msg.key(), 'value': msg.value()})
        if len(received) >= len(sent):
            break
    consumer.close()
    return {'sent': sent, 'received': received}


def json_serializer(url, bootstrap, prefix):
    from confluent_kafka import Producer, Consumer
    from confluent_kafka.serialization import SerializationContext, MessageField
    from confluent_kafka.schema_registry.json_schema import JSONSerializer, JSONDeserializer
    topic = prefix
    schema = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "title": "Invoice", "type": "object",
                         "properties": {"invoiceId": {"type": "string"}, "total": {"type": "number"},
                                        "paid": {"type": "boolean"}},
                         "required": ["invoiceId", "total"]})
    sr = SchemaRegistryClient({'url': url})
    serializer = JSONSerializer(schema, sr)
    deserializer = JSONDeserializer(schema)
    producer = Producer({'bootstrap.servers': bootstrap})
    sent = [{"invoiceId": "inv-%d" % i, "total": i * 10.5, "paid": i % 2 == 0} for i in range(30)]
    for value in sent:
        producer.produce(topic, value=serializer(value, SerializationContext(topic, MessageField.VALUE)))
    producer.flush(30)
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': prefix + '-g', 'auto.offset.reset': 'earliest'})
    consumer.subscribe([topic])
    received = []
    for _ in range(200):
        msg = consumer.poll(1.0)
        if msg is None:
            if len(received) >= len(sent):
                break
            continue
        if msg.error():
            raise RuntimeError(str(msg.error()))
        received.append(deserializer(msg.value(), SerializationContext(topic, MessageField.VALUE)))
        if len(received) >= len(sent):
            break
    consumer.close()
    return {'sent': sent, 'received': received, 'subject_versions': sr.get_versions(topic + '-value')}


if __name__ == '__main__':
    scenario, url, bootstrap, prefix = sys.argv[1:5]
    if scenario == 'client-api':
        result = client_api(url, prefix)
    elif scenario == 'legacy-avro':
        result = legacy_avro(url, bootstrap, prefix)
    elif scenario == 'json-serializer':
        result = json_serializer(url, bootstrap, prefix)
    else:
        raise SystemExit('unknown scenario ' + scenario)
    print(json.dumps(result))
