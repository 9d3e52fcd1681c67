module dockgen.example/go-replace-app

go 1.26

require (
	dockgen.example/greet v1.0.0
	dockgen.example/shout v0.0.0
)

replace dockgen.example/shout => ./shout
