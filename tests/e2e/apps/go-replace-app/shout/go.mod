module dockgen.example/shout

go 1.21
