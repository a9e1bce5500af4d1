// Command grpc_cache is a Bazel remote cache over gRPC (the Remote Execution API's
// Capabilities, ActionCache, ContentAddressableStorage and ByteStream services) with a
// disk-backed store. It caches; it executes nothing.
//
//	grpc_cache --dir=DIR [--host=127.0.0.1] [--port=9092] [--access_log=FILE]
//
// The first line on standard output is "serving grpc://HOST:PORT" once it accepts
// connections (--port=0 picks a free port). SIGTERM or SIGINT stops it.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc"
)

func newGrpcServer(c *cache) *grpc.Server {
	server := grpc.NewServer(grpc.MaxRecvMsgSize(maxGrpcMessageLen + 1<<20))
	repb.RegisterCapabilitiesServer(server, c)
	repb.RegisterActionCacheServer(server, c)
	repb.RegisterContentAddressableStorageServer(server, c)
	bspb.RegisterByteStreamServer(server, c)
	return server
}

func run() error {
	dir := flag.String("dir", "", "directory of the store (created if missing); required")
	host := flag.String("host", "127.0.0.1", "address to listen on; loopback unless the cache is to be shared")
	port := flag.Int("port", 9092, "port to listen on; 0 picks a free one")
	accessLogPath := flag.String("access_log", "", "file to append one line per cache event to (default DIR/access.log; \"none\" for no log)")
	flag.Parse()
	if *dir == "" || flag.NArg() != 0 {
		flag.Usage()
		return fmt.Errorf("--dir is required and no positional arguments are taken")
	}
	store, err := openDiskStore(*dir)
	if err != nil {
		return err
	}
	logPath := *accessLogPath
	switch logPath {
	case "":
		logPath = store.root + "/access.log"
	case "none":
		logPath = ""
	}
	log, err := openAccessLog(logPath)
	if err != nil {
		return fmt.Errorf("opening the access log: %w", err)
	}
	defer log.close()

	listener, err := net.Listen("tcp", net.JoinHostPort(*host, fmt.Sprint(*port)))
	if err != nil {
		return fmt.Errorf("listening on %s:%d: %w (is another cache running there?)", *host, *port, err)
	}
	server := newGrpcServer(&cache{store: store, log: log})
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		// Let short calls finish, but never wait on a client's open stream for long.
		timer := time.AfterFunc(2*time.Second, server.Stop)
		server.GracefulStop()
		timer.Stop()
	}()
	fmt.Printf("serving grpc://%s\n", listener.Addr())
	os.Stdout.Sync()
	return server.Serve(listener)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "grpc_cache:", err)
		os.Exit(1)
	}
}
