"""Federation: each report goes on to the publisher's own system, and its
answers come back.

- routes.py: where an issue goes (an organization's Open311 routes, the
  operator's configured ones, the harvest source of a harvested dataset),
  and the rule that nothing goes back where it came from;
- origin.py: where an issue received over Open311 came from;
- client.py: the Open311 GeoReport v2 client (requests);
- forwarding.py: the forward rows, the background job that sends them,
  with retries, and the sweep (`ckan helpdesk forward-pending`);
- sync.py: `ckan helpdesk sync`, the answers of the other side, batched;
- harvest.py: a harvested dataset's source (ckanext-harvest's tables);
- views.py: the routes section of the organization's help desk settings
  and the sysadmins' list of forwards.
"""
