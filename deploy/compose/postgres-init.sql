-- One database per service: no service reads another's tables.
CREATE DATABASE fairpath_vetting;
CREATE DATABASE fairpath_contracts;
CREATE DATABASE fairpath_registry;
CREATE DATABASE fairpath_gateway;
