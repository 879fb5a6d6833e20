<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Texts of Qt's own dialogs that qtbase_zh_CN.qm (PySide6 6.12) leaves in English: the file
     dialog's labels gained a mnemonic (&) and their old translations no longer match.
     Build: pyside6-lrelease lzkp_qt_zh_CN.ts -qm lzkp_qt_zh_CN.qm (app/ui/main.py loads it). -->
<TS version="2.1" language="zh_CN">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
</TS>
