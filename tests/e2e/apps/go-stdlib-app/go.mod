module dockgen.example/go-stdlib-app

go 1.26
