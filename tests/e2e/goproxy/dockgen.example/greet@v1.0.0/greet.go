// Package greet is the one module of the e2e module proxy fixture (tests/e2e/goproxy).
package greet

// Hello names this module and its version, so an app's answer shows where the code came from.
func Hello() string { return "greet=v1.0.0" }
