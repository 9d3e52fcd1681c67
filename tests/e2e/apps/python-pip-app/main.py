from server import main

main("python-pip-app")
