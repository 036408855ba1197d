"""The HTTP gateway (gunicorn, sync/gthread workers, never eventlet): authentication, the role
matrix, validation at the edge, and nameko RPC over pika to the owning services."""
