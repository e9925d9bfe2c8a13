package audit

import (
	"strings"
	"sync"
)

// namesMu guards the name maps: modules register names while tests build apps in parallel.
var namesMu sync.RWMutex

// actionNames are the Chinese names of audit actions, for the audit log page and "recent activity". Modules add
// theirs with RegisterActions; an unknown action shows its code.
var actionNames = map[string]string{
	"auth.login": "登录", "auth.logout": "退出登录",
	"org.create": "创建单位", "org.update": "修改单位", "org.move": "移动单位", "org.deactivate": "停用单位", "org.activate": "启用单位",
	"org.delete": "删除单位", "person.create": "登记人员", "person.update": "修改人员", "person.delete": "删除人员",
	"user.create": "创建用户", "user.update": "修改用户", "user.grant": "调整授权", "user.disable": "停用用户", "user.enable": "启用用户",
	"user.unlock": "解除锁定", "user.reset_password": "重置密码", "user.change_password": "修改密码",
	"user.totp_enable": "启用动态口令", "user.totp_disable": "关闭动态口令",
	"role.create": "新建角色", "role.update": "修改角色", "role.delete": "删除角色", "security.policy": "修改安全策略",
	"export.xlsx": "导出 Excel", "import.orgs": "导入单位", "import.people": "导入人员",
	"demo.load": "载入演示数据", "demo.scale": "生成压测数据", "calendar.hours": "修改作息时间",
}

// objectNames are the Chinese names of object types.
var objectNames = map[string]string{
	"org": "单位", "person": "人员", "user": "用户", "role": "角色", "setting": "设置", "export": "导出", "import": "导入", "demo": "演示数据",
}

// RegisterActions adds Chinese names of actions (code → name) and object types; modules call it at wiring.
func RegisterActions(actions, objects map[string]string) {
	namesMu.Lock()
	defer namesMu.Unlock()
	for k, v := range actions {
		actionNames[k] = v
	}
	for k, v := range objects {
		objectNames[k] = v
	}
}

// ActionName is the Chinese name of an action code (the code itself when unknown).
func ActionName(code string) string {
	namesMu.RLock()
	defer namesMu.RUnlock()
	if n, ok := actionNames[code]; ok {
		return n
	}
	// Module actions named "<module>.<verb>" fall back to the module's prefix names when present.
	if i := strings.LastIndexByte(code, '.'); i > 0 {
		if n, ok := actionNames[code[:i]]; ok {
			return n
		}
	}
	return code
}

// ObjectName is the Chinese name of an object type.
func ObjectName(code string) string {
	namesMu.RLock()
	defer namesMu.RUnlock()
	if n, ok := objectNames[code]; ok {
		return n
	}
	return code
}

// SnapshotName is the object's name in the recorded snapshot ("" when the entry recorded none).
func (it Item) SnapshotName() string {
	for _, side := range []string{"after", "before"} {
		if m, ok := it.Detail[side].(map[string]any); ok {
			for _, k := range []string{"name", "username", "title", "display_name"} {
				if v, ok := m[k].(string); ok && v != "" {
					return v
				}
			}
		}
	}
	return ""
}

// Label describes what an entry is about for people: the object's name from the recorded snapshot when there is
// one ("创建单位 示范县教育局"), otherwise its type and id.
func (it Item) Label() string {
	if n := it.SnapshotName(); n != "" {
		return n
	}
	if it.ObjectID == "" {
		return ObjectName(it.ObjectType)
	}
	return ObjectName(it.ObjectType) + " #" + it.ObjectID
}
