module dockgen.example/go-mod-app

go 1.26

require dockgen.example/greet v1.0.0
