package main

import (
	"dockgen.example/greet"
	"dockgen.example/shout"
)

func main() {
	serve("go-replace-app", func() string { return " " + greet.Hello() + " " + shout.Shout("shout=local") })
}
