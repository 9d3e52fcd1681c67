module dockgen.example/greet

go 1.21
