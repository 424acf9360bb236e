"""The REST API of accounts (``/api/v1/``): shared API plumbing in :mod:`.common`,
the caller's own tokens in :mod:`.tokens`, people, teams and memberships in
:mod:`.people`, notifications in :mod:`.notifications`; routes in :mod:`.urls`."""
