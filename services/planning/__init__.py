"""The office's planning and filing register (省政务服务管理办公室): plans, projects, applications."""
