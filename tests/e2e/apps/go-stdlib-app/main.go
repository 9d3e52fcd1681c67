package main

func main() {
	serve("go-stdlib-app", func() string { return "" })
}
