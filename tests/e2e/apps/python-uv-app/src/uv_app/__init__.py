def run():
    from uv_app.server import main

    main("python-uv-app")
