// Package config holds the one Config struct of the program, filled from flags, GOVOPS_* environment variables
// (and *_FILE twins for secrets), then defaults — in that order of precedence. `govops help` prints Options.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of `govops serve` and the other commands.
type Config struct {
	Addr          string
	DB            string
	Demo          bool
	DataDir       string
	AdminPassword string
	LogLevel      string
	LogFormat     string
	TLSCert       string
	TLSKey        string
	TrustProxy    bool
	SecureCookies bool
	JT808Addr     string
	JT808Auth     string
	MQTTURL       string
	TileURL       string
	MetricsToken  string
	ShutdownGrace time.Duration
}

// Option describes one setting: its flag, its environment twin, default and meaning.
type Option struct {
	Flag, Env, Default, Help string
	Secret                   bool // also read from <Env>_FILE
	Bool                     bool
	set                      func(c *Config, v string) error
}

// Options lists every setting in the order `govops help` prints them.
var Options = []Option{
	{Flag: "addr", Env: "GOVOPS_ADDR", Default: "127.0.0.1:8080", Help: "HTTP 监听地址 (listen address)",
		set: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("--addr %q 不是 host:port 形式", v)
			}
			c.Addr = v
			return nil
		}},
	{Flag: "db", Env: "GOVOPS_DB", Default: "sqlite:govops.db", Help: "数据库: sqlite:<文件>、文件路径或 postgres://… (database)",
		set: func(c *Config, v string) error { c.DB = v; return nil }},
	{Flag: "demo", Env: "GOVOPS_DEMO", Default: "false", Bool: true, Help: "空库时载入演示省数据 (load the demo province into an empty database)",
		set: func(c *Config, v string) (err error) { c.Demo, err = parseBool("demo", v); return }},
	{Flag: "data-dir", Env: "GOVOPS_DATA_DIR", Default: "govops-data", Help: "附件等文件的存放目录 (directory for attachments)",
		set: func(c *Config, v string) error { c.DataDir = v; return nil }},
	{Flag: "admin-password", Env: "GOVOPS_ADMIN_PASSWORD", Default: "", Secret: true, Help: "首次启动创建 admin 时使用的密码；为空则随机生成并打印 (first admin password)",
		set: func(c *Config, v string) error { c.AdminPassword = v; return nil }},
	{Flag: "log-level", Env: "GOVOPS_LOG_LEVEL", Default: "info", Help: "日志级别 debug|info|warn|error",
		set: func(c *Config, v string) error {
			switch v {
			case "debug", "info", "warn", "error":
				c.LogLevel = v
				return nil
			}
			return fmt.Errorf("--log-level %q 无效，应为 debug|info|warn|error", v)
		}},
	{Flag: "log-format", Env: "GOVOPS_LOG_FORMAT", Default: "json", Help: "日志格式 json|text",
		set: func(c *Config, v string) error {
			if v != "json" && v != "text" {
				return fmt.Errorf("--log-format %q 无效，应为 json|text", v)
			}
			c.LogFormat = v
			return nil
		}},
	{Flag: "tls-cert", Env: "GOVOPS_TLS_CERT", Default: "", Help: "TLS 证书文件；与 --tls-key 同时设置时以 HTTPS 提供服务",
		set: func(c *Config, v string) error { c.TLSCert = v; return nil }},
	{Flag: "tls-key", Env: "GOVOPS_TLS_KEY", Default: "", Help: "TLS 私钥文件",
		set: func(c *Config, v string) error { c.TLSKey = v; return nil }},
	{Flag: "trust-proxy", Env: "GOVOPS_TRUST_PROXY", Default: "false", Bool: true, Help: "信任反向代理的 X-Forwarded-For 以记录客户端 IP；HTTPS 由代理终结时请同时设置 --secure-cookies",
		set: func(c *Config, v string) (err error) { c.TrustProxy, err = parseBool("trust-proxy", v); return }},
	{Flag: "secure-cookies", Env: "GOVOPS_SECURE_COOKIES", Default: "false", Bool: true, Help: "强制 Cookie 带 Secure 标志 (自动用于 HTTPS)",
		set: func(c *Config, v string) (err error) { c.SecureCookies, err = parseBool("secure-cookies", v); return }},
	{Flag: "jt808-addr", Env: "GOVOPS_JT808_ADDR", Default: "127.0.0.1:7808", Help: "JT/T 808 车载终端 TCP 监听地址；空字符串关闭",
		set: func(c *Config, v string) error {
			if v != "" {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("--jt808-addr %q 不是 host:port 形式", v)
				}
			}
			c.JT808Addr = v
			return nil
		}},
	{Flag: "jt808-auth", Env: "GOVOPS_JT808_AUTH", Default: "strict", Help: "JT/T 808 鉴权模式 strict|lenient",
		set: func(c *Config, v string) error {
			if v != "strict" && v != "lenient" {
				return fmt.Errorf("--jt808-auth %q 无效，应为 strict|lenient", v)
			}
			c.JT808Auth = v
			return nil
		}},
	{Flag: "mqtt-url", Env: "GOVOPS_MQTT_URL", Default: "", Help: "能耗采集 MQTT 代理地址，如 tcp://127.0.0.1:1883；空则不订阅",
		set: func(c *Config, v string) error { c.MQTTURL = v; return nil }},
	{Flag: "tile-url", Env: "GOVOPS_TILE_URL", Default: "", Help: "地图瓦片地址模板 (天地图或内网瓦片服务)，空则不加载底图（轨迹页无底图也可用）",
		set: func(c *Config, v string) error { c.TileURL = v; return nil }},
	{Flag: "metrics-token", Env: "GOVOPS_METRICS_TOKEN", Default: "", Secret: true,
		Help: "Prometheus /metrics 的访问令牌（请求带 Authorization: Bearer <令牌>）；为空则不提供 /metrics",
		set: func(c *Config, v string) error {
			if v != "" && len(v) < 16 {
				return fmt.Errorf("--metrics-token 至少 16 个字符")
			}
			c.MetricsToken = v
			return nil
		}},
	{Flag: "shutdown-grace", Env: "GOVOPS_SHUTDOWN_GRACE", Default: "15s", Help: "优雅停机等待时间",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("--shutdown-grace %q 不是有效时长", v)
			}
			c.ShutdownGrace = d
			return nil
		}},
}

func parseBool(name, v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("--%s %q 不是布尔值 (true/false)", name, v)
	}
	return b, nil
}

// Defaults returns a Config with every default applied.
func Defaults() Config {
	var c Config
	for _, o := range Options {
		if err := o.set(&c, o.Default); err != nil {
			panic("config default: " + err.Error())
		}
	}
	return c
}

// Register adds the named options (all when names is empty) to fs; Apply must be called after fs.Parse.
func Register(fs *flag.FlagSet, names ...string) *Binding {
	b := &Binding{fs: fs, vals: map[string]*string{}}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for i := range Options {
		o := Options[i]
		if len(want) > 0 && !want[o.Flag] {
			continue
		}
		b.opts = append(b.opts, o)
		v := new(string)
		*v = o.Default
		if o.Bool {
			fs.Var(boolValue{v}, o.Flag, o.Help)
		} else {
			fs.StringVar(v, o.Flag, o.Default, o.Help)
		}
		b.vals[o.Flag] = v
	}
	return b
}

// Binding connects registered flags to a Config.
type Binding struct {
	fs   *flag.FlagSet
	opts []Option
	vals map[string]*string
}

// Apply fills c: a flag given on the command line wins, then the environment (and <Env>_FILE for secrets), then
// the default. lookup is os.LookupEnv in production.
func (b *Binding) Apply(c *Config, lookup func(string) (string, bool)) error {
	given := map[string]bool{}
	b.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, o := range b.opts {
		v := *b.vals[o.Flag]
		if !given[o.Flag] {
			if ev, ok := lookup(o.Env); ok {
				v = ev
			} else if o.Secret {
				if fv, ok := lookup(o.Env + "_FILE"); ok && fv != "" {
					data, err := os.ReadFile(fv)
					if err != nil {
						return fmt.Errorf("%s_FILE: %w", o.Env, err)
					}
					v = strings.TrimRight(string(data), "\r\n")
				}
			}
		}
		if err := o.set(c, v); err != nil {
			return err
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert 与 --tls-key 必须同时设置")
	}
	return nil
}

// boolValue lets a boolean option be given bare (`--demo`) or with a value (`--demo=false`).
type boolValue struct{ v *string }

func (b boolValue) String() string {
	if b.v == nil {
		return ""
	}
	return *b.v
}
func (b boolValue) Set(s string) error { *b.v = s; return nil }
func (b boolValue) IsBoolFlag() bool   { return true }

// PrintHelp writes the option table.
func PrintHelp(w io.Writer) {
	fmt.Fprintln(w, "选项 (flag / 环境变量 / 默认值):")
	for _, o := range Options {
		def := o.Default
		if def == "" {
			def = `""`
		}
		env := o.Env
		if o.Secret {
			env += " (或 " + o.Env + "_FILE)"
		}
		fmt.Fprintf(w, "  --%-16s %-42s 默认 %s\n      %s\n", o.Flag, env, def, o.Help)
	}
}
