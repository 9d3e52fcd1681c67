from poetry_app.server import main

main("python-poetry-app")
