"""The WSGI entry of the production shape (`python stack/stack.py
production start`): CKAN's app built from the ini file named by CKAN_INI, as
the wsgi.py of CKAN's Docker images does. Each gunicorn worker imports it
after the fork, so no database connection is shared between processes."""
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

ini = os.path.abspath(os.environ["CKAN_INI"])
fileConfig(ini, defaults={"here": os.path.dirname(ini)},
           disable_existing_loggers=False)
application = make_app(CKANConfigLoader(ini).get_config())
