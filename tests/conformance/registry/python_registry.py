"""Drives our schema registry and broker with Debian's python3-confluent-kafka (1.7.0).

usage: /usr/bin/python3 python_registry.py <scenario> <registry-url> <bootstrap> <name-prefix>
Prints one JSON object with what the client observed; the xunit test asserts on it.
"""
import json
import sys
import uuid

from confluent_kafka.schema_registry import SchemaRegistryClient, Schema, SchemaReference
from confluent_kafka.schema_registry.error import SchemaRegistryError


def fresh(url):
    """A client with an empty cache: register_schema caches by id, so reads through it would not reach the server."""
    return SchemaRegistryClient({'url': url})


def error_of(call):
    try:
        call()
        return 'succeeded'
    except SchemaRegistryError as e:
        return {'http': e.http_status_code, 'code': e.error_code, 'message': e.error_message}


def ref_list(references):
    """get_schema gives SchemaReference objects; 1.7.0's get_latest_version passes the JSON dicts through as they came."""
    return [[r['name'], r['subject'], r['version']] if isinstance(r, dict) else [r.name, r.subject, r.version] for r in references]


class Deliveries:
    """Collects delivery reports so a refused record fails the scenario instead of vanishing in flush()."""

    def __init__(self):
        self.errors = []
        self.delivered = 0

    def __call__(self, err, msg):
        if err is not None:
            self.errors.append(str(err))
        else:
            self.delivered += 1


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
    out['by_id'] = json.loads(fresh(url).get_schema(out['id1']).schema_str)
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
    out['missing_id'] = error_of(lambda: fresh(url).get_schema(2147483647))
    out['version_1'] = sr.get_version(subject, 1).schema_id
    out['deleted_version'] = sr.delete_version(subject, 2)
    out['versions_after_version_delete'] = sr.get_versions(subject)
    out['deleted_version_again'] = error_of(lambda: sr.delete_version(subject, 2))
    out['subjects_contains'] = subject in sr.get_subjects()
    out['global_compat'] = sr.get_compatibility()
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
    deliveries = Deliveries()
    for value in sent:
        producer.produce(topic=topic, key=value['orderId'], value=value, callback=deliveries)
    producer.flush(30)
    if deliveries.errors or deliveries.delivered != len(sent):
        raise RuntimeError('delivery failed: %d of %d delivered, errors %s' % (deliveries.delivered, len(sent), deliveries.errors[:3]))
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
    return {'sent': sent, 'received': received, 'value_schema_id': fresh(url).get_latest_version(topic + '-value').schema_id}


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
    deliveries = Deliveries()
    for value in sent:
        producer.produce(topic, value=serializer(value, SerializationContext(topic, MessageField.VALUE)), on_delivery=deliveries)
    producer.flush(30)
    if deliveries.errors or deliveries.delivered != len(sent):
        raise RuntimeError('delivery failed: %d of %d delivered, errors %s' % (deliveries.delivered, len(sent), deliveries.errors[:3]))
    # The serializer refuses what its schema refuses, before anything reaches the broker.
    try:
        serializer({"invoiceId": "inv-bad"}, SerializationContext(topic, MessageField.VALUE))
        refused_locally = False
    except Exception:  # SerializationError in 1.7.0
        refused_locally = True
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
    latest = fresh(url).get_latest_version(topic + '-value')
    return {'sent': sent, 'received': received, 'subject_versions': sr.get_versions(topic + '-value'),
            'schema_type': latest.schema.schema_type, 'registered_schema': json.loads(latest.schema.schema_str),
            'refused_locally': refused_locally}


def references(url, prefix):
    """Schema references (Confluent 5.5+): an Avro record and a JSON schema that use schemas of other subjects."""
    sr = SchemaRegistryClient({'url': url})
    out = {}
    address_subject = prefix + '-address'
    address = Schema(json.dumps({"type": "record", "name": "Address", "namespace": "mesh.ref",
                                 "fields": [{"name": "city", "type": "string"}]}), 'AVRO')
    out['address_id'] = sr.register_schema(address_subject, address)
    address_version = sr.get_latest_version(address_subject).version
    customer = Schema(json.dumps({"type": "record", "name": "Customer", "namespace": "mesh.ref",
                                  "fields": [{"name": "name", "type": "string"}, {"name": "home", "type": "mesh.ref.Address"}]}),
                      'AVRO', [SchemaReference('mesh.ref.Address', address_subject, address_version)])
    customer_subject = prefix + '-value'
    out['customer_id'] = sr.register_schema(customer_subject, customer)
    out['customer_id_again'] = sr.register_schema(customer_subject, customer)
    reader = fresh(url)
    by_id = reader.get_schema(out['customer_id'])
    out['by_id_references'] = ref_list(by_id.references)
    out['by_id_schema'] = json.loads(by_id.schema_str)
    latest = reader.get_latest_version(customer_subject)
    out['latest_references'] = ref_list(latest.schema.references)
    out['lookup_version'] = reader.lookup_schema(customer_subject, customer).version
    out['without_references'] = error_of(lambda: reader.register_schema(prefix + '-orphan-value', Schema(customer.schema_str, 'AVRO')))
    out['delete_referenced'] = error_of(lambda: reader.delete_version(address_subject, address_version))

    json_address_subject = prefix + '-json-address'
    json_address = Schema(json.dumps({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}), 'JSON')
    sr.register_schema(json_address_subject, json_address)
    json_customer = Schema(json.dumps({"type": "object", "properties": {"home": {"$ref": "address.json"}}}), 'JSON',
                           [SchemaReference('address.json', json_address_subject, 1)])
    out['json_customer_id'] = sr.register_schema(prefix + '-json-value', json_customer)
    json_by_id = fresh(url).get_schema(out['json_customer_id'])
    out['json_by_id'] = {'type': json_by_id.schema_type, 'references': ref_list(json_by_id.references)}
    return out


if __name__ == '__main__':
    scenario, url, bootstrap, prefix = sys.argv[1:5]
    if scenario == 'client-api':
        result = client_api(url, prefix)
    elif scenario == 'legacy-avro':
        result = legacy_avro(url, bootstrap, prefix)
    elif scenario == 'json-serializer':
        result = json_serializer(url, bootstrap, prefix)
    elif scenario == 'references':
        result = references(url, prefix)
    else:
        raise SystemExit('unknown scenario ' + scenario)
    print(json.dumps(result))
