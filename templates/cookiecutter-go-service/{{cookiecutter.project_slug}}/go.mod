module {{ cookiecutter.module_path | trim }}

go {{ cookiecutter.go_version | trim }}
