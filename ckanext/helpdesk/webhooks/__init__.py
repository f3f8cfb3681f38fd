"""Webhooks: an organization's admins give URLs that the help desk POSTs
its issues' events to (created, changed, commented, closed) as signed JSON.

models (model.py) → actions (actions.py, auth.py) → events written in the
change's transaction (events.py, payloads.py) → delivered by background
jobs with retries (delivery.py); signature.py is what receivers copy.
"""
