package main

import "dockgen.example/greet"

func main() {
	serve("go-mod-app", func() string { return " " + greet.Hello() })
}
