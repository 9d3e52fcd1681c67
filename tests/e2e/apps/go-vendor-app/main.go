package main

import "dockgen.example/greet"

func main() {
	serve("go-vendor-app", func() string { return " " + greet.Hello() })
}
