# The project's commands; each installs what it needs (Docker engine, tool venv, images).
.PHONY: demo demo-destroy test lint unit molecule

demo:            ## deploy the example app on a local systemd test host, show it over HTTPS
	scripts/demo

demo-destroy:    ## remove the demo's test host
	scripts/demo destroy

test:            ## the whole test suite: lint, unit tests, every Molecule scenario
	scripts/test

lint:
	scripts/test lint

unit:
	scripts/test unit

molecule:        ## e.g. make molecule SCENARIO=default
	scripts/test molecule $(SCENARIO)
