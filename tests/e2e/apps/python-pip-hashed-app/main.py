from server import main

main("python-pip-hashed-app")
