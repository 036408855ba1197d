"""Reliable messaging on RabbitMQ: topology, the outbox relay and the reliable event handler."""
