"""Django's Redis cache backend, with one redis-py client per connection pool.

Django's client builds a new `redis.Redis` for every cache call, and each one copies
redis-py's table of response callbacks (about 150 entries, case-insensitively): a few
hundred microseconds a call, paid several times on every page. A `redis.Redis` holds no
connection of its own (it borrows one from the pool for each command, and the pool
starts afresh in a forked process), so one per pool serves every call and every thread.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:  # as Django's _get_connection_pool(), by index
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
